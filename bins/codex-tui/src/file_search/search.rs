//! The walker and matcher threads behind the `@` popup.

use std::cmp::Reverse;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// Files indexed at most; a bigger tree is searched over its first this-many files (the walk
/// order is breadth-first, so the shallow ones). Bounds memory and rescoring time.
pub const MAX_FILES: usize = 200_000;
/// Matches kept and shown per query.
pub const MAX_RESULTS: usize = 20;
/// The walker hands over paths in batches of this many, or sooner after [`BATCH_AGE`].
const BATCH: usize = 512;
/// The first results should not wait for a full batch on a slow disk.
const BATCH_AGE: Duration = Duration::from_millis(25);

/// One matching file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMatch {
    /// Path relative to the search root, `/`-separated.
    pub path: String,
    /// Character positions in `path` that matched, ascending (for highlighting).
    pub indices: Vec<u32>,
    /// Higher is better.
    pub score: u32,
}

/// The best matches for a query, as far as the walk has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResults {
    /// The query these are for (the UI drops results for a query it no longer shows).
    pub query: String,
    /// Best first.
    pub matches: Vec<FileMatch>,
    /// Whether the walk is still finding files (more matches may come).
    pub walking: bool,
    /// Files indexed so far.
    pub files: usize,
}

enum Msg {
    Query(String),
    Paths(Vec<String>),
    WalkDone,
}

/// A running search over one directory tree. Dropping it stops both threads.
#[derive(Debug)]
pub struct FileSearch {
    tx: Sender<Msg>,
    latest: Arc<Mutex<Option<SearchResults>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for FileSearch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl FileSearch {
    /// Starts walking `root`. `notify` runs on the matcher thread whenever new results are
    /// ready (it should only wake the UI, say by sending an app event).
    pub fn start(root: PathBuf, notify: impl Fn() + Send + 'static) -> Self {
        let (tx, rx) = mpsc::channel();
        let latest = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let walker_tx = tx.clone();
        let walker_stop = Arc::clone(&stop);
        let _ = thread::Builder::new()
            .name("file-search-walk".to_owned())
            .spawn(move || walk(&root, &walker_tx, &walker_stop));
        let shared = Arc::clone(&latest);
        let _ = thread::Builder::new()
            .name("file-search-match".to_owned())
            .spawn(move || match_loop(&rx, &shared, &notify));
        Self { tx, latest, stop }
    }

    /// Searches for `query` from now on (the empty query lists the shortest paths).
    pub fn set_query(&self, query: &str) {
        let _ = self.tx.send(Msg::Query(query.to_owned()));
    }

    /// The newest results since the last call, if any.
    pub fn take_results(&self) -> Option<SearchResults> {
        self.latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

fn walk(root: &Path, tx: &Sender<Msg>, stop: &AtomicBool) {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build();
    let mut batch = Vec::with_capacity(BATCH);
    let mut batch_started = Instant::now();
    let mut sent = 0usize;
    for entry in walker.flatten() {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let Some(relative) = relative.to_str() else {
            // A name that is not UTF-8 cannot be typed in the composer either.
            continue;
        };
        if batch.is_empty() {
            batch_started = Instant::now();
        }
        batch.push(relative.to_owned());
        if batch.len() >= BATCH || batch_started.elapsed() >= BATCH_AGE {
            sent += batch.len();
            if tx.send(Msg::Paths(std::mem::take(&mut batch))).is_err() {
                return;
            }
            if sent >= MAX_FILES {
                break;
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(Msg::Paths(batch));
    }
    let _ = tx.send(Msg::WalkDone);
}

struct Index {
    paths: Vec<String>,
    query: String,
    pattern: Pattern,
    matcher: Matcher,
    /// (score, index into `paths`) of the best matches, best first.
    best: Vec<(u32, usize)>,
    walking: bool,
    buf: Vec<char>,
}

impl Index {
    fn new() -> Self {
        Self {
            paths: Vec::new(),
            query: String::new(),
            pattern: Pattern::parse("", CaseMatching::Smart, Normalization::Smart),
            matcher: Matcher::new(Config::DEFAULT.match_paths()),
            best: Vec::new(),
            walking: true,
            buf: Vec::new(),
        }
    }

    fn set_query(&mut self, query: String) {
        self.pattern = Pattern::parse(&query, CaseMatching::Smart, Normalization::Smart);
        self.query = query;
        self.best.clear();
        self.score_from(0);
    }

    fn add(&mut self, paths: Vec<String>) {
        let first = self.paths.len();
        let room = MAX_FILES.saturating_sub(first);
        self.paths.extend(paths.into_iter().take(room));
        self.score_from(first);
    }

    /// Scores `paths[first..]` and merges them into `best`.
    fn score_from(&mut self, first: usize) {
        for i in first..self.paths.len() {
            let path = &self.paths[i];
            let score = if self.query.is_empty() {
                // No query: the shortest paths first.
                Some(u32::MAX - path.len() as u32)
            } else {
                self.pattern
                    .score(Utf32Str::new(path, &mut self.buf), &mut self.matcher)
            };
            if let Some(score) = score {
                self.best.push((score, i));
            }
        }
        let paths = &self.paths;
        self.best.sort_by(|a, b| {
            let (pa, pb) = (&paths[a.1], &paths[b.1]);
            Reverse(a.0)
                .cmp(&Reverse(b.0))
                .then(pa.len().cmp(&pb.len()))
                .then(pa.cmp(pb))
        });
        self.best.truncate(MAX_RESULTS);
    }

    fn results(&mut self) -> SearchResults {
        let mut matches = Vec::with_capacity(self.best.len());
        for &(score, i) in &self.best {
            let path = &self.paths[i];
            let mut indices = Vec::new();
            if !self.query.is_empty() {
                self.pattern.indices(
                    Utf32Str::new(path, &mut self.buf),
                    &mut self.matcher,
                    &mut indices,
                );
                indices.sort_unstable();
                indices.dedup();
            }
            matches.push(FileMatch {
                path: path.clone(),
                indices,
                score,
            });
        }
        SearchResults {
            query: self.query.clone(),
            matches,
            walking: self.walking,
            files: self.paths.len(),
        }
    }
}

fn match_loop(
    rx: &Receiver<Msg>,
    latest: &Mutex<Option<SearchResults>>,
    notify: &(impl Fn() + Send),
) {
    let mut index = Index::new();
    while let Ok(first) = rx.recv() {
        // Take everything queued so a burst of paths or keystrokes costs one scoring pass.
        let mut pending = vec![first];
        // A disconnected channel (the handle is gone) ends the drain too; `recv` then ends
        // the loop.
        while let Ok(msg) = rx.try_recv() {
            pending.push(msg);
        }
        let mut new_query = None;
        let mut new_paths = Vec::new();
        for msg in pending {
            match msg {
                Msg::Query(q) => new_query = Some(q),
                Msg::Paths(p) => new_paths.extend(p),
                Msg::WalkDone => index.walking = false,
            }
        }
        match new_query {
            Some(query) => {
                let first = index.paths.len();
                let room = MAX_FILES.saturating_sub(first);
                index.paths.extend(new_paths.into_iter().take(room));
                index.set_query(query);
            }
            None => index.add(new_paths),
        }
        let results = index.results();
        *latest.lock().unwrap_or_else(PoisonError::into_inner) = Some(results);
        notify();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Waits for results for `query` from a finished walk.
    fn settled(search: &FileSearch, wake: &Receiver<()>, query: &str) -> SearchResults {
        loop {
            wake.recv_timeout(Duration::from_secs(20)).unwrap();
            if let Some(r) = search.take_results()
                && r.query == query
                && !r.walking
            {
                return r;
            }
        }
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (path, text) in [
            ("src/main.rs", "fn main() {}"),
            ("src/composer/mod.rs", ""),
            ("docs/manual.md", ""),
            ("target/debug/main", ""),
            ("notes.log", ""),
            (".github/workflows/ci.yml", ""),
            (".gitignore", "target/\n*.log\n"),
            (".git/HEAD", "ref: refs/heads/main\n"),
        ] {
            fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            fs::write(root.join(path), text).unwrap();
        }
        dir
    }

    #[test]
    fn finds_files_fuzzily_and_respects_gitignore() {
        let dir = tree();
        let (tx, wake) = mpsc::channel();
        let search = FileSearch::start(dir.path().to_owned(), move || {
            let _ = tx.send(());
        });
        search.set_query("main");
        let r = settled(&search, &wake, "main");
        let paths: Vec<_> = r.matches.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(paths, ["src/main.rs"], "target/ is ignored");
        assert_eq!(r.matches[0].indices, [4, 5, 6, 7]);

        search.set_query("cmod");
        let r = settled(&search, &wake, "cmod");
        assert_eq!(r.matches[0].path, "src/composer/mod.rs");

        search.set_query("ci");
        let r = settled(&search, &wake, "ci");
        assert_eq!(r.matches[0].path, ".github/workflows/ci.yml");

        search.set_query("");
        let r = settled(&search, &wake, "");
        let mut all: Vec<_> = r.matches.iter().map(|m| m.path.as_str()).collect();
        all.sort_unstable();
        assert_eq!(
            all,
            [
                ".github/workflows/ci.yml",
                ".gitignore",
                "docs/manual.md",
                "src/composer/mod.rs",
                "src/main.rs"
            ],
            "ignored files and .git are never listed"
        );
        assert_eq!(r.files, 5);
    }

    #[test]
    fn results_stream_in_as_the_walk_finds_more() {
        let mut index = Index::new();
        index.set_query("rs".to_owned());
        index.add(vec!["a.rs".to_owned(), "b.txt".to_owned()]);
        assert_eq!(index.results().matches.len(), 1);
        index.add(vec!["src/c.rs".to_owned()]);
        let r = index.results();
        assert_eq!(r.matches.len(), 2);
        assert!(r.walking);
        assert_eq!(r.files, 3);
    }

    #[test]
    fn keeps_only_the_best_results() {
        let mut index = Index::new();
        index.set_query("f".to_owned());
        index.add((0..100).map(|i| format!("dir{i}/f{i}")).collect());
        let r = index.results();
        assert_eq!(r.matches.len(), MAX_RESULTS);
        assert!(r.matches.windows(2).all(|w| w[0].score >= w[1].score));
    }
}
