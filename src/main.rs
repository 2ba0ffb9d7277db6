//! The `caasim` command.

fn main() -> std::process::ExitCode {
    caasim::cli::main()
}
