//! `kartlegg answer`: what its command line takes. The full-screen face runs it
//! (`ui::answer`, chosen in `main`): one respondent's walk, opened by their code alone.

#[derive(Debug, Clone, clap::Args)]
pub struct AnswerArgs {
    /// The code from the slip; without it, the first screen asks for it
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
}
