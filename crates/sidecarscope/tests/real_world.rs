//! A real-world corpus: Sidecars from public repositories (`tests/real-world/`, origins in each
//! file's header and in the README there, with the judgement of every finding). Each file is
//! analysed as `sidecarscope analyze FILE` would; the whole output is pinned by a snapshot.

use sidecarscope::{report, Code, ResourceKind};

#[test]
fn real_world_corpus() {
    let mut sidecars = 0;
    insta::glob!("real-world/*.yaml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(text.starts_with("# origin: "), "{name}: no origin header");
        // `# default-namespace: NS` in the header: the namespace the file is applied to.
        let ns = text.lines().take_while(|l| l.starts_with('#')).find_map(|l| l.strip_prefix("# default-namespace: "));
        let ns = ns.map_or(sidecarscope::DEFAULT_NAMESPACE, |v| v.split_whitespace().next().unwrap());
        let input = sidecarscope::load_with_default_namespace(
            vec![sidecarscope::SourceFile::new(name.clone(), text.clone())],
            ns,
        );
        let n = input.resources.iter().filter(|r| r.kind == ResourceKind::Sidecar).count();
        assert!(n > 0, "{name}: no Sidecar");
        sidecars += n;
        let mut diags = sidecarscope::analyze(&input);
        report::sort(&mut diags);
        // Every file of the corpus loads with PyYAML and kubectl: no YAML error here either.
        assert!(diags.iter().all(|d| !matches!(d.code, Code::YamlSyntax | Code::YamlLimit)), "{name}: {diags:?}");
        insta::assert_snapshot!("real_world", report::render_human(&input, &diags, false));
    });
    assert!(sidecars >= 30, "the corpus has {sidecars} Sidecars");
}
