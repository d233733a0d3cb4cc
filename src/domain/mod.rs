//! The instrument, the model and scoring: plain Rust, no terminal, no SQL.

pub mod cluster;
pub mod cluster_figures;
pub mod compare;
pub mod instrument;
pub mod invite;
pub mod lang;
pub mod model;
pub mod needs;
pub mod plan;
pub mod requirement;
pub mod rounding;
pub mod scoring;
pub mod shared_needs;
pub mod trend;

#[cfg(test)]
pub(crate) mod test_support {
    use super::compare::Answered;
    use super::instrument::Asked;
    use super::model::{Answer, Response, Role, RoundKind};
    use super::scoring::AnswerSet;

    /// A leader in an after-round, who is put every item: tests of scoring that are not
    /// about which items apply.
    pub const ALL_ITEMS: Asked = Asked {
        kind: RoundKind::After,
        role: Role::Leader,
    };

    /// Staff without codes in an after-round: respondents as the comparison sees them.
    pub fn anonymous<'a>(sets: &[&'a AnswerSet]) -> Vec<Answered<'a>> {
        sets.iter()
            .map(|answers| Answered {
                kind: RoundKind::After,
                role: Role::Staff,
                code: "",
                by_code: false,
                answers,
            })
            .collect()
    }

    /// One respondent's answers from (item key, response) pairs.
    pub fn answer_set(pairs: &[(&str, Response)]) -> AnswerSet {
        pairs
            .iter()
            .map(|(key, response)| {
                let answer = Answer {
                    response: Some(*response),
                    comment: String::new(),
                };
                (key.to_string(), answer)
            })
            .collect()
    }
}
