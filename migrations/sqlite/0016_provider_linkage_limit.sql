-- Most linkages a provider takes on at one meeting (a branch that can see five applicants, a
-- trainer with one facilitator): the meeting planner never suggests more. NULL: no limit given.
ALTER TABLE stakeholders ADD COLUMN linkage_limit INTEGER;
