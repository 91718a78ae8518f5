-- What a completed linkage brought, in the unit of its kind: the loan amount in rupees (finance),
-- how many were trained (training), the order value in rupees (market), the benefit in rupees
-- (scheme). NULL for linkages not completed, or completed before outcomes were recorded.
ALTER TABLE linkages ADD COLUMN outcome_value INTEGER;
