//! The `gilsim` command line.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// gilsim: run Python-subset scripts under a real global interpreter lock and see what it does.
#[derive(Parser)]
#[command(name = "gilsim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a script, like `python3 FILE ARGS...`.
    Run {
        /// The script to run.
        file: String,
        /// Arguments passed to the script as sys.argv[1:].
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Print the bytecode of a script, like `python3 -m dis FILE`.
    Dis {
        /// The script to disassemble.
        file: String,
    },
    /// Parse and compile a script without running it.
    Check {
        /// The script to check.
        file: String,
    },
}

fn read(file: &str) -> Result<String, ExitCode> {
    std::fs::read_to_string(file).map_err(|e| {
        eprintln!("gilsim: can't open file '{file}': {e}");
        ExitCode::from(2)
    })
}

fn compile(file: &str) -> Result<gilsim::compile::compiler::CompiledModule, ExitCode> {
    let source = read(file)?;
    gilsim::syntax::parse(&source)
        .and_then(|m| gilsim::compile::compiler::compile(&m, file))
        .map_err(|e| {
            eprint!("{}", e.render(file, &source));
            ExitCode::from(1)
        })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run { file, args } => {
            let mut argv = vec![file.clone()];
            argv.extend(args);
            let outcome = gilsim::runtime::run_file(&file, argv, gilsim::runtime::Stdout::Process);
            ExitCode::from(outcome.exit_code.clamp(0, 255) as u8)
        }
        Command::Dis { file } => match compile(&file) {
            Ok(m) => {
                print!("{}", gilsim::compile::dis::disassemble(&m.code, &m.globals));
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Check { file } => match compile(&file) {
            Ok(_) => ExitCode::SUCCESS,
            Err(code) => code,
        },
    }
}
