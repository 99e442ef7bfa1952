//! Inputs that once crashed the pipeline (found by fuzzing, `scripts/fuzz`): each must now run
//! through every stage without a panic and with every range inside the input.

#[path = "shared/pipeline.rs"]
mod pipeline;

#[test]
fn regressions_run_through_the_whole_pipeline() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        pipeline::run(&text, usize::MAX);
        n += 1;
    }
    assert!(n > 0);
}
