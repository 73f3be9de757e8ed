//! The `asciivid` binary: parse arguments, run, print a one-line error on failure.

fn main() -> std::process::ExitCode {
    asciivid::cli::main()
}
