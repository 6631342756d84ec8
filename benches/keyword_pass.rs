//! Times the keyword pass alone: every keyword of a set over every file of
//! a directory held in memory, one thread, and prints the median of several
//! runs with the set's group count and hits. Not a test (no timing belongs
//! in tests): run it through `bench/keyword-pass.sh`.
//!
//! Usage: keyword_pass DIR [KEYWORDS_FILE] [RUNS] [SEARCH]
//! KEYWORDS_FILE has one keyword per line; without it (or `-`), the shipped
//! rules' keywords are used. SEARCH (`portable`, `vector`, `wide`) caps the
//! search used; default: the best this CPU has.

use std::time::Instant;

use keyhound::engine::keywords::{KeywordSet, Search};
use keyhound::engine::Engine;
use keyhound::rules::RuleSet;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let dir = args.first().expect("usage: keyword_pass DIR [KEYWORDS_FILE] [RUNS]");
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5);
    let search = match args.get(3).map(String::as_str) {
        Some("portable") => Search::Portable,
        Some("vector") => Search::Vector,
        _ => Search::Wide,
    };
    let mut files = Vec::new();
    for entry in ignore::WalkBuilder::new(dir).hidden(false).ignore(false).git_ignore(false).build().flatten() {
        if entry.file_type().is_some_and(|t| t.is_file()) {
            if let Ok(data) = std::fs::read(entry.path()) {
                files.push(data);
            }
        }
    }
    let bytes: usize = files.iter().map(Vec::len).sum();
    // The shipped rules' keyword set as a scan builds it (word starts
    // included), a keywords file's as plain keywords; the time is the
    // set's build alone.
    let (set, build) = match args.get(1).filter(|a| !a.is_empty() && *a != "-") {
        Some(file) => {
            let keywords: Vec<String> = std::fs::read_to_string(file)
                .expect("keywords file")
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            let started = Instant::now();
            let set = KeywordSet::new(&keywords).with_search(search);
            (set, started.elapsed())
        }
        None => {
            let engine = Engine::new(&RuleSet::embedded().expect("shipped rules")).expect("shipped rules load");
            let started = Instant::now();
            let set = engine.keyword_set().with_search(search);
            (set, started.elapsed())
        }
    };
    let mut times = Vec::new();
    let mut hits = 0;
    for _ in 0..runs {
        let t = Instant::now();
        hits = files.iter().map(|f| set.find_iter(f).count()).sum::<usize>();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{} keywords, {} groups, {:?} search (built in {:.1} ms); {} files, {:.0} MB; {} hits; median {:.3} s over {runs} runs ({:.2} GB/s), fastest {:.3} s",
        set.len(),
        set.groups(),
        set.search(),
        build.as_secs_f64() * 1000.0,
        files.len(),
        bytes as f64 / 1e6,
        hits,
        times[runs / 2],
        bytes as f64 / times[runs / 2] / 1e9,
        times[0]
    );
}
