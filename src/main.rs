//! The `gilsim` command line.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gilsim::duration::parse_duration;

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
        /// The GIL switch interval, e.g. 500us, 5ms or 0.02s (default 5ms, as CPython).
        #[arg(long, value_parser = parse_duration, default_value = "5ms")]
        switch_interval: std::time::Duration,
        /// Where the eval breaker is checked: `cpython` (3.10+: function entry, loop back
        /// edges, after native calls) or `every-instruction` (before 3.10).
        #[arg(long, value_enum, default_value = "cpython")]
        check: Check,
        /// The GIL design: cpython (3.2+, the default), legacy (Python 2), fifo (fair
        /// hand-off), io-priority (threads back from I/O first), none (no GIL).
        #[arg(long, value_parser = parse_policy, default_value = "cpython")]
        gil: &'static gilsim::gil::PolicyInfo,
        /// Instructions between the legacy GIL's releases (Python 2's sys.setcheckinterval).
        #[arg(long, default_value_t = gilsim::gil::DEFAULT_CHECK_INTERVAL,
              value_parser = clap::value_parser!(u32).range(1..))]
        check_interval: u32,
        /// Print, at exit, what the GIL did: per thread, time running, waiting, in native
        /// calls and blocked; acquisitions, forced switches, wait percentiles; GIL load.
        #[arg(long)]
        stats: bool,
        /// Write the --stats figures as JSON to FILE.
        #[arg(long, value_name = "FILE")]
        stats_json: Option<std::path::PathBuf>,
        /// Write the run as a Chrome trace (JSON) to FILE, for Perfetto UI or chrome://tracing:
        /// a track per thread with its GIL states, drop requests and forced switches.
        #[arg(long, value_name = "FILE")]
        trace: Option<std::path::PathBuf>,
        /// Draw the run to FILE (SVG): a row per thread (grouped by process), time across,
        /// coloured running / waiting for the GIL / native / blocked, with a mark at each
        /// forced switch. Long runs are binned to pixel columns, never cut.
        #[arg(long, value_name = "FILE.svg")]
        timeline: Option<std::path::PathBuf>,
        /// Replay mode: one thread at a time, switched and chosen by the --gil policy's rule
        /// (every policy has one) with ties broken by --seed; virtual time (sleeps do not
        /// sleep). The same script, seed and flags give the same output, stats and trace on
        /// any machine.
        #[arg(long)]
        deterministic: bool,
        /// The seed of --deterministic's choices (default 0).
        #[arg(long, default_value_t = 0, requires = "deterministic")]
        seed: u64,
        /// With --deterministic: run the script with N seeds (from --seed on) and report each
        /// distinct outcome (its output and exit status), how often it came and the seeds that
        /// reproduce it.
        #[arg(long, value_name = "N", requires = "deterministic",
              value_parser = clap::value_parser!(u64).range(1..=100_000))]
        explore: Option<u64>,
        /// What a multiprocessing process is: `interp` (an interpreter with its own GIL on its
        /// own threads in this process; starts in microseconds) or `os` (a child OS process
        /// running gilsim: its own pid, crash-isolated).
        #[arg(long, value_enum, default_value = "interp")]
        process_backend: gilsim::process::ProcessBackend,
        /// What to do when every thread is blocked for good (on locks, joins, queues, events,
        /// process primitives, with no timeout pending): `report` which thread waits on what,
        /// who holds it and where, then exit with status 1; or `hang`, as CPython does.
        #[arg(long, value_enum, default_value = "report")]
        on_deadlock: OnDeadlock,
        /// End a run that outlives DURATION (e.g. 500ms, 10s): report each thread's state
        /// and stack on stderr, write the reports, and exit with status 124.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration,
              conflicts_with = "explore")]
        timeout: Option<std::time::Duration>,
        /// Bound the heap, e.g. 512M or 2G: an allocation that would pass it raises
        /// MemoryError (default: the machine's memory).
        #[arg(long, value_name = "SIZE", value_parser = gilsim::memory::parse_size)]
        max_memory: Option<usize>,
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
    /// Run the built-in GIL experiments (F1-F8 of FIDELITY.md) over a sweep of threads and
    /// switch intervals, optionally beside CPython; `gilsim experiment list` names them.
    Experiment(gilsim::experiment::command::ExperimentArgs),
    /// A child process of `--process-backend os`, started by a parent gilsim (its bootstrap
    /// comes on stdin).
    #[command(name = "__child", hide = true)]
    Child,
}

/// What a run does when every thread is blocked for good.
#[derive(Clone, Copy, clap::ValueEnum)]
enum OnDeadlock {
    /// Report the deadlock (threads, what each waits on, who holds it, where) and exit 1.
    Report,
    /// Wait forever, as CPython does.
    Hang,
}

/// Where the eval loop checks for a pending GIL drop request.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Check {
    /// CPython 3.10+: function entry, loop back edges, after native calls.
    Cpython,
    /// Before every instruction, as CPython before 3.10.
    EveryInstruction,
}

fn parse_policy(name: &str) -> Result<&'static gilsim::gil::PolicyInfo, String> {
    gilsim::gil::policy(name)
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
        Command::Run {
            file,
            args,
            switch_interval,
            check,
            gil,
            check_interval,
            stats,
            stats_json,
            trace,
            timeline,
            deterministic,
            seed,
            explore,
            process_backend,
            on_deadlock,
            timeout,
            max_memory,
        } => {
            let mut argv = vec![file.clone()];
            argv.extend(args);
            let config = gilsim::vm::Config {
                process_backend,
                argv,
                switch_interval,
                check_every_instruction: matches!(check, Check::EveryInstruction),
                gil,
                check_interval,
                reports: gilsim::observe::Reports {
                    stats,
                    stats_json,
                    trace,
                    timeline,
                    ..Default::default()
                },
                deterministic: deterministic.then_some(seed),
                on_deadlock: match on_deadlock {
                    OnDeadlock::Report => gilsim::runtime::monitor::OnDeadlock::Report,
                    OnDeadlock::Hang => gilsim::runtime::monitor::OnDeadlock::Hang,
                },
                timeout,
                max_memory,
            };
            if let Some(runs) = explore {
                return match gilsim::runtime::explore::explore(&file, &config, seed, runs) {
                    Ok(report) => {
                        print!("{report}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("gilsim: {e}");
                        ExitCode::from(2)
                    }
                };
            }
            if let Err(e) = gilsim::runtime::interrupt::install() {
                eprintln!("gilsim: {e}");
            }
            let outcome =
                gilsim::runtime::run_file_with(&file, config, gilsim::runtime::Stdout::Process);
            // As a POSIX exit status: the low byte (`sys.exit(-9)` is 247, as CPython's).
            ExitCode::from((outcome.exit_code & 0xff) as u8)
        }
        Command::Dis { file } => match compile(&file) {
            Ok(m) => {
                print!("{}", gilsim::compile::dis::disassemble(&m.code, &m.globals));
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Child => {
            let code = gilsim::process::os_backend::child_main();
            std::process::exit(code)
        }
        Command::Check { file } => match compile(&file) {
            Ok(_) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Command::Experiment(args) => gilsim::experiment::command::run(args),
    }
}
