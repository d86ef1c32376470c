//! The `timecredits` binary: everything lives in the library; see `cli`.

fn main() -> std::process::ExitCode {
    timecredits::cli::main()
}
