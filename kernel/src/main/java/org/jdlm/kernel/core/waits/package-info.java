/**
 * The cluster-wide wait-for graph detector's pure core (issue 11, fs-cycles §5.0, docs/detector.md).
 *
 * <p>Layers feed facts through {@link org.jdlm.kernel.core.waits.FactSink} ({@link
 * org.jdlm.kernel.core.waits.KernelFacts} for the kernel registry, {@link
 * org.jdlm.kernel.core.waits.DlmFacts} for application DLM locks) into a {@link
 * org.jdlm.kernel.core.waits.WaitGraph}; {@link org.jdlm.kernel.core.waits.KnotAnalysis} computes
 * the AND/OR knots; {@link org.jdlm.kernel.core.waits.DeadlockDetector} turns them and long waits
 * into reports once each; {@link org.jdlm.kernel.core.waits.LivelockMonitor} watches counters;
 * {@link org.jdlm.kernel.core.waits.VictimChoice} picks the DLM request to deny with EDEADLK.
 *
 * <p>Nothing here depends on the DLM, the filesystem or Pekko: the detector must work while the
 * lockspace is stopped, so its inputs are plain records its shell gathers over its own channel.
 * Graph algorithms (strong components, shortest paths) are JGraphT's; the AND/OR fixpoint is
 * ours, because JGraphT has none, and is property-tested against its brute-force definition.
 */
package org.jdlm.kernel.core.waits;
