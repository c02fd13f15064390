//! `qualm completions SHELL` and `qualm man`: generated from the same clap
//! definitions that parse the command line (clap_complete, clap_mangen), so
//! neither can drift from the real options.

use clap::{CommandFactory, ValueEnum};

use super::{emit, Cli};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

pub fn run(shell: Shell) -> i32 {
    let mut command = Cli::command();
    let mut out = Vec::new();
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
    };
    clap_complete::generate(generator, &mut command, "qualm", &mut out);
    emit(&String::from_utf8_lossy(&out))
}

/// The manual page (roff), with the subcommands listed.
pub fn man() -> i32 {
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut out) {
        eprintln!("qualm man: {e}");
        return 2;
    }
    emit(&String::from_utf8_lossy(&out))
}
