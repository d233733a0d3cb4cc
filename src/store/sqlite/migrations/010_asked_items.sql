-- Version 9 → 10: no table changes. Instrument 2.0 says which items are put to whom (round
-- kind and role), and the kept tallies count only those; the step to this version counts
-- them again from the answers (kept::rebuild, in Rust), so that a database made before
-- counts as a new one does. An answer to an item not put to its respondent stays.
SELECT 1;
