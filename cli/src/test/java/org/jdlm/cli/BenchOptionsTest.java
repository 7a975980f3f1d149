package org.jdlm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jdlm.bench.BenchSettings;
import org.jdlm.bench.BenchWorkload;
import org.jdlm.member.CliError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BenchOptionsTest {

  private static final BenchSettings SETTINGS = BenchSettings.load();

  private static BenchOptions parse(String... args) {
    return BenchOptions.parse(List.of(args), SETTINGS, 16);
  }

  @Test
  void defaultsRunEveryWorkloadOnAThreeMemberClusterItStarts() {
    BenchOptions o = parse();
    assertThat(o.dir()).isEmpty();
    assertThat(o.nodes()).isEqualTo(3);
    assertThat(o.workloads()).containsExactly(BenchWorkload.values());
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.clientsFor(BenchWorkload.LOCAL)).isEqualTo(64);
    assertThat(o.clientsFor(BenchWorkload.REMOTE)).isEqualTo(1);
    assertThat(o.jmh()).isFalse();
  }

  @Test
  void workloadsAreRunInTableOrderOnceEach() {
    assertThat(parse("--workload", "handoff,local,local").workloads())
        .containsExactly(BenchWorkload.LOCAL, BenchWorkload.HANDOFF);
  }

  @Test
  void everyOptionIsParsed() {
    BenchOptions o = parse("--dir", "run/x", "--workload=remote", "--duration", "2s", "--warmup", "500ms",
        "--clients", "8", "--own-share", "0.75", "--jmh");
    assertThat(o.dir()).contains(Path.of("run/x"));
    assertThat(o.workloads()).containsExactly(BenchWorkload.REMOTE);
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(o.warmup()).isEqualTo(Duration.ofMillis(500));
    assertThat(o.clientsFor(BenchWorkload.REMOTE)).isEqualTo(8);
    assertThat(o.ownShare()).isEqualTo(0.75);
    assertThat(o.jmh()).isTrue();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "--dir d --nodes 3          | give either --dir",
      "--nodes 0                  | --nodes 0 is out of range",
      "--nodes 17                 | --nodes 17 is out of range",
      "--workload fast            | --workload 'fast' is not a workload",
      "--workload local,          | --workload '' is not a workload",
      "--duration 10              | --duration '10' is not a duration",
      "--duration 500ms           | --duration 500ms is out of range (1s..10m)",
      "--duration 11m             | --duration 11m is out of range",
      "--warmup soon              | --warmup 'soon' is not a duration",
      "--clients 0                | --clients 0 is out of range",
      "--clients many             | --clients 'many' is not a number",
      "--own-share 1.5            | --own-share 1.5 is out of range (0..1)",
      "--own-share most           | --own-share 'most' is not a number",
      "--fast                     | unknown option '--fast'",
      "local                      | unexpected argument 'local'",
  })
  void badInputIsOneLineNamingTheValue(String args, String message) {
    assertThatThrownBy(() -> parse(args.trim().split(" +")))
        .isInstanceOf(CliError.class)
        .hasMessageStartingWith("bench: ")
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
