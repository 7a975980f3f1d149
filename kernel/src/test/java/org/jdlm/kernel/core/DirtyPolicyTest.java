package org.jdlm.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DirtyPolicyTest {
  // 1000 pages: node limit 200, background 100, bdi limit 100 (50% of 200); reclaim throttle at 50% of used.
  private static final DirtyPolicy.Limits LIMITS = new DirtyPolicy.Limits(20, 10, 50, 50, true);

  private static Set<TaskFlag> flags(String spec) {
    EnumSet<TaskFlag> f = EnumSet.noneOf(TaskFlag.class);
    if (!spec.equals("-")) {
      for (String s : spec.split("\\+")) {
        f.add(TaskFlag.valueOf(s));
      }
    }
    return f;
  }

  @ParameterizedTest(name = "node={0} bdi={1} flags={2}: throttled={3}")
  @CsvSource({
      // node dirty+wb, own bdi dirty+wb, flags, throttled
      "200, 0,   -,              false",
      "201, 0,   -,              true",    // nfsd writing to an idle local fs, throttled by the client's pages
      "201, 0,   LOCAL_THROTTLE, false",   // F-c2: only its own bdi counts
      "201, 0,   IO_FLUSHER,     false",   // IO_FLUSHER implies LOCAL_THROTTLE
      "201, 101, LOCAL_THROTTLE, true",
      "150, 101, LOCAL_THROTTLE, true",
      "150, 100, LOCAL_THROTTLE, false",
      "150, 150, -,              false",
  })
  void writerThrottling(long node, long bdi, String flags, boolean throttled) {
    assertThat(DirtyPolicy.writerThrottled(1000, node, bdi, flags(flags), LIMITS)).isEqualTo(throttled);
  }

  @ParameterizedTest(name = "used={0} writeback={1} flags={2} exempt={3}: throttled={4}")
  @CsvSource({
      "100, 0,  -,              true,  false",
      "100, 49, -,              true,  false",
      "100, 50, -,              true,  true",
      "100, 50, KTHREAD,        true,  false",
      "100, 50, KTHREAD,        false, true",
      "100, 50, KTHREAD+KSWAPD, true,  true",
      "100, 50, MEMALLOC,       true,  true",
  })
  void reclaimThrottling(long used, long writeback, String flags, boolean exempt, boolean throttled) {
    DirtyPolicy.Limits l = new DirtyPolicy.Limits(20, 10, 50, 50, exempt);
    assertThat(DirtyPolicy.reclaimThrottled(used, writeback, flags(flags), l)).isEqualTo(throttled);
  }

  @Test
  void backgroundWritebackAndBadLimits() {
    assertThat(DirtyPolicy.backgroundWriteback(1000, 100, LIMITS)).isFalse();
    assertThat(DirtyPolicy.backgroundWriteback(1000, 101, LIMITS)).isTrue();
    assertThatThrownBy(() -> new DirtyPolicy.Limits(10, 20, 50, 50, true)).hasMessageContaining("background-percent 20");
    assertThatThrownBy(() -> new DirtyPolicy.Limits(101, 10, 50, 50, true)).hasMessageContaining("101");
  }
}
