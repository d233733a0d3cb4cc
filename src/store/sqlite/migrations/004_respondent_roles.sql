-- Version 3 → 4: the service's own score leaves the process leader (role consultant) out,
-- so the overview of a round over many services reads each round's consultants beside its
-- kept sums. The index by round now holds the role too, so that finding them, and counting
-- a round's respondents with and without them, reads the index alone.
-- schema.sql holds the same index for a new database; a test checks the two agree.
DROP INDEX respondent_by_round;
CREATE INDEX respondent_by_round ON respondent (round_id, role);
