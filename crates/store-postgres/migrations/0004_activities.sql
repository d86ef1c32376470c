-- The activities area's tables (reserved; filled in as the area is built).
SELECT 1;
