-- How many people a need sends to a course: an SHG's training need takes one seat per member
-- who will attend. NULL means not stated (the group's size for an SHG, else one).
ALTER TABLE needs ADD COLUMN attendees BIGINT;

-- A linkage's reasons in Hindi (a JSON list, one for one with `reasons`), for `?lang=hi`.
-- NULL for linkages saved before: they are shown with their English reasons.
ALTER TABLE linkages ADD COLUMN reasons_hi TEXT;
