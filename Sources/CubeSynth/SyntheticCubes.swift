/// Realistic synthetic datacubes with ground truth, for tests, demos and benchmarks.
/// The same arguments always give the same cube.
public enum SyntheticCubes {}
