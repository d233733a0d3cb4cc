-- compare_floor.sql in PostgreSQL's words, for psql (benches/server_floor.sh): the same
-- comparison of two rounds of one service as one query. Set service, from and to first:
--   \set service 'NAME'  \set from 'Før samling 1'  \set to 'Etter samling 3'
WITH rounds AS (
    SELECT r.id, r.label = :'to' AS later
    FROM service s JOIN round r ON r.service_id = s.id
    WHERE s.name = :'service' AND r.label IN (:'from', :'to')
),
answers AS (
    SELECT rounds.later, a.item_key, a.value, a.missing,
           substr(a.item_key, 1, strpos(a.item_key, '.') - 1) AS section,
           substr(a.item_key, strpos(a.item_key, '.') + 1) AS rest
    FROM rounds
    -- The service's own score: the process leader (role consultant) apart, as kartlegg does.
    JOIN respondent p ON p.round_id = rounds.id AND p.role <> 'consultant'
    JOIN answer a ON a.respondent_id = p.id
),
scored AS (
    SELECT later, section, section || '.' || substr(rest, 1, strpos(rest, '.') - 1) AS subdomain,
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
           count(*) FILTER (WHERE missing = 'dont_know') AS dont_know
    FROM fractions GROUP BY later, section
    UNION ALL
    SELECT later, subdomain, avg(fraction), count(*) FILTER (WHERE missing = 'dont_know')
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
