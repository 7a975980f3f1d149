package org.jdlm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The chaos run's partitions: rules land in the run's own chain, one rule can be removed without
 * the others, and closing leaves nothing in iptables. Needs iptables as root (skipped elsewhere).
 */
class PacketFilterTest {

  @Test
  void rulesLiveInTheirOwnChainAndCloseRemovesEverything() throws Exception {
    PacketFilter.Result opened = PacketFilter.open();
    Assumptions.assumeTrue(opened.filter().isPresent(), opened.description());
    PacketFilter filter = opened.filter().get();
    try {
      List<String> both = filter.dropAll("127.250.250.2", "127.250.250.3");
      filter.dropTo("127.250.250.3", "127.250.250.2", 4242);
      assertThat(iptables()).contains("-A OUTPUT -j " + filter.chain())
          .contains("-A " + filter.chain() + " -s 127.250.250.2/32 -d 127.250.250.3/32 -j DROP")
          .contains("-A " + filter.chain() + " -s 127.250.250.3/32 -d 127.250.250.2/32 -p tcp -m tcp --dport 4242 -j DROP");
      filter.remove(both);
      assertThat(iptables()).doesNotContain("-s 127.250.250.2/32 -d 127.250.250.3/32 -j DROP")
          .contains("--dport 4242");
      assertThat(filter.rules()).hasSize(1);
    } finally {
      filter.close();
    }
    assertThat(iptables()).doesNotContain(filter.chain());
    filter.close(); // twice is fine
  }

  private static String iptables() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("iptables", "-w", "-S").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}
