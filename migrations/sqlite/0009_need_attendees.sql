-- How many people a need sends to a course: an SHG's training need takes one seat per member
-- who will attend. NULL means not stated (the group's size for an SHG, else one).
ALTER TABLE needs ADD COLUMN attendees BIGINT;
