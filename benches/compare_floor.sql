-- The floor for `kartlegg compare`: the same comparison as one SQL query for the sqlite3
-- shell. Per section and subdomain of one service, the score of two rounds (percent of the
-- maximum over the scored answers, "vet ikke" and "ikke relevant" never scored), the change
-- in points, and the "vet ikke" counts. The scales are written into the query: 1–5 for
-- readiness, fit and support, 0–2 for the drivers. Run from benches/ (see BENCHMARKS.md):
--   sqlite3 -readonly DB ".param set :service 'NAME'" ".param set :from 'Før samling 1'" \
--           ".param set :to 'Etter samling 3'" ".read compare_floor.sql"
WITH rounds AS (
    SELECT r.id, r.label = :to AS later
    FROM service s JOIN round r ON r.service_id = s.id
    WHERE s.name = :service AND r.label IN (:from, :to)
),
answers AS (
    SELECT rounds.later, a.item_key, a.value, a.missing,
           substr(a.item_key, 1, instr(a.item_key, '.') - 1) AS section,
           substr(a.item_key, instr(a.item_key, '.') + 1) AS rest
    -- CROSS JOIN keeps this order: the rounds first, then their respondents' answers.
    FROM rounds
    -- The service's own score: the process leader (role consultant) apart, as kartlegg does.
    CROSS JOIN respondent p ON p.round_id = rounds.id AND p.role <> 'consultant'
    CROSS JOIN answer a ON a.respondent_id = p.id
),
scored AS (
    SELECT later, section, section || '.' || substr(rest, 1, instr(rest, '.') - 1) AS subdomain,
           value, missing
    FROM answers
),
fractions AS (
    SELECT later, section, subdomain, missing,
           CASE
               WHEN value IS NULL THEN NULL
               WHEN section IN ('competence', 'leadership', 'organisation')
                   THEN CASE WHEN value BETWEEN 0 AND 2 THEN value / 2.0 END
               ELSE CASE WHEN value BETWEEN 1 AND 5 THEN (value - 1) / 4.0 END
           END AS fraction
    FROM scored
),
areas AS (
    SELECT later, section AS area, avg(fraction) AS score,
           sum(missing IS 'dont_know') AS dont_know
    FROM fractions GROUP BY later, section
    UNION ALL
    SELECT later, subdomain, avg(fraction), sum(missing IS 'dont_know')
    FROM fractions GROUP BY later, subdomain
)
SELECT b.area,
       round(100 * b.score) AS from_percent,
       round(100 * a.score) AS to_percent,
       round(100 * a.score) - round(100 * b.score) AS change,
       b.dont_know AS from_dont_know,
       a.dont_know AS to_dont_know
FROM areas b JOIN areas a ON a.area = b.area AND a.later AND NOT b.later
ORDER BY b.area;
