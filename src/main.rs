use clap::Parser;

fn main() {
    let cli = redline::cli::Cli::parse();
    std::process::exit(redline::app::run(cli));
}
