package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jdlm.dlm.core.LockMode;
import org.junit.jupiter.api.Test;

/**
 * Every starting configuration × every input → outcome, for an inode glock, against a literal
 * table. An outcome is the phase afterwards and the effects, abbreviated:
 * <pre>
 *   Req(m) / Cvt(m) / Unl   DLM request, conversion, unlock      Grant(s) / Fail(e)  holder woken
 *   Glops(a>b)              go_sync/go_inval before the flight    Work(d)             work queued in d ms
 *   +LRU / -LRU             LRU membership                        Freed               glock gone
 *   ERR:Name                the input is a bug in this configuration (exception type)
 * </pre>
 * Setups happen at t=0; inputs arrive at t=50, inside the 200 ms hold time, except "bastEX@1s".
 * Set {@code -Dglock.table.print=true} to print the current table (then review every changed cell
 * against GFS2 before pasting it).
 */
class GlockTransitionTableTest {

  private static final GlockName NAME = GlockName.of(GlockType.INODE, 0x42);

  /** Starting configurations (rows). */
  static Map<String, Consumer<GlockHarness>> rows() {
    Map<String, Consumer<GlockHarness>> rows = new LinkedHashMap<>();
    rows.put("UN new", h -> {});
    rows.put("UN cached", h -> {
      h.dequeue(h.hold(GlockState.SH, HolderFlag.NOCACHE));
      h.settle(List.of());
    });
    rows.put("SH idle", h -> h.dequeue(h.hold(GlockState.SH)));
    rows.put("DF idle", h -> h.dequeue(h.hold(GlockState.DF)));
    rows.put("EX idle", h -> h.dequeue(h.hold(GlockState.EX)));
    rows.put("SH held", h -> h.hold(GlockState.SH));
    rows.put("EX held", h -> h.hold(GlockState.EX));
    rows.put("SH on LRU", h -> {
      h.dequeue(h.hold(GlockState.SH));
      h.put();
    });
    rows.put("UN>SH flight", h -> h.enqueue(h.holderId(), GlockState.SH));
    rows.put("SH>UN glops", h -> {
      h.dequeue(h.hold(GlockState.SH));
      h.bast(LockMode.EX);
      h.work();
    });
    rows.put("Freeing", h -> {
      h.dequeue(h.hold(GlockState.SH, HolderFlag.NOCACHE));
      h.put();
      h.work();
      h.glops();
      h.reply(LockMode.NL);
      h.work();
    });
    return rows;
  }

  /** Inputs (columns). */
  static Map<String, Function<GlockHarness, List<GlockEffect>>> columns() {
    Map<String, Function<GlockHarness, List<GlockEffect>>> cols = new LinkedHashMap<>();
    cols.put("nqSH", h -> h.enqueue(h.holderId(), GlockState.SH));
    cols.put("nqDF", h -> h.enqueue(h.holderId(), GlockState.DF));
    cols.put("nqEX", h -> h.enqueue(h.holderId(), GlockState.EX));
    cols.put("nqEXtry", h -> h.enqueue(h.holderId(), GlockState.EX, HolderFlag.TRY));
    cols.put("nqSHexact", h -> h.enqueue(h.holderId(), GlockState.SH, HolderFlag.EXACT));
    cols.put("bastPR", h -> h.bast(LockMode.PR));
    cols.put("bastEX", h -> h.bast(LockMode.EX));
    cols.put("bastEX@1s", h -> {
      h.now = 1000;
      return h.bast(LockMode.EX);
    });
    cols.put("replyGranted", h -> h.reply(
        h.gl.phase() instanceof GlockPhase.InFlight ? ((GlockPhase.InFlight) h.gl.phase()).to().dlmMode() : LockMode.PR));
    cols.put("replyTryFailed", h -> h.reply(DlmReply.TryFailed.INSTANCE));
    cols.put("replyUnlocked", h -> h.reply(DlmReply.UnlockDone.INSTANCE));
    cols.put("work", GlockHarness::work);
    cols.put("glopsDone", GlockHarness::glops);
    cols.put("get", GlockHarness::get);
    cols.put("put", GlockHarness::put);
    cols.put("putAsync", h -> h.record(h.gl.putAsync(h.now)));
    cols.put("reclaim", GlockHarness::reclaim);
    return cols;
  }

  // One line per row, cells separated by " ; ", in column order.
  private static final String[] EXPECTED = {
      // columns: nqSH ; nqDF ; nqEX ; nqEXtry ; nqSHexact ; bastPR ; bastEX ; bastEX@1s ; replyGranted ; replyTryFailed ;
      //          replyUnlocked ; work ; glopsDone ; get ; put ; putAsync ; reclaim
      // UN new
      "Pro(UN>SH,DLM) Req(PR) ; Pro(UN>DF,DLM) Req(CW) ; Pro(UN>EX,DLM) Req(EX) ; Pro(UN>EX,DLM) Req(EX) ; Pro(UN>SH,DLM) Req(PR) ; Unlocked Work(0) ; Unlocked Work(0) ; Unlocked Work(0) ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; Unlocked ; ERR:IllegalStateException ; Unlocked ; Freed Freed ; Unlocked Work(0) ; Unlocked",
      // UN cached
      "Pro(UN>SH,DLM) Cvt(PR) ; Pro(UN>DF,DLM) Cvt(CW) ; Pro(UN>EX,DLM) Cvt(EX) ; Pro(UN>EX,DLM) Cvt(EX) ; Pro(UN>SH,DLM) Cvt(PR) ; Unlocked Work(0) ; Unlocked Work(0) ; Unlocked Work(0) ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; Unlocked ; ERR:IllegalStateException ; Unlocked ; Freeing Unl ; Unlocked Work(0) ; Unlocked",
      // SH idle
      "Shared Grant(SH) ; Pro(SH>DF,GLOPS) Glops(SH>DF) ; Pro(SH>EX,DLM) Cvt(EX) ; Pro(SH>EX,DLM) Cvt(EX) ; Shared Grant(SH) ; Shared Work(0) ; Shared Work(0) ; Shared Work(0) ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; Shared ; ERR:IllegalStateException ; Shared ; Shared +LRU ; Shared Work(0) ; Shared",
      // DF idle
      "Pro(DF>SH,GLOPS) Glops(DF>SH) ; Deferred Grant(DF) ; Pro(DF>EX,GLOPS) Glops(DF>EX) ; Pro(DF>EX,GLOPS) Glops(DF>EX) ; Pro(DF>SH,GLOPS) Glops(DF>SH) ; Deferred Work(0) ; Deferred Work(0) ; Deferred Work(0) ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; Deferred ; ERR:IllegalStateException ; Deferred ; Deferred +LRU ; Deferred Work(0) ; Deferred",
      // EX idle
      "Exclusive Grant(EX) ; Exclusive Grant(EX) ; Exclusive Grant(EX) ; Exclusive Grant(EX) ; Pro(EX>SH,GLOPS) Glops(EX>SH) ; Exclusive Work(0) ; Exclusive Work(0) ; Exclusive Work(0) ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; Exclusive ; ERR:IllegalStateException ; Exclusive ; Exclusive +LRU ; Exclusive Work(0) ; Exclusive",
      // SH held
      "Shared Grant(SH) ; Shared ; Shared ; Shared Fail(TRYAGAIN) ; Shared Grant(SH) ; Shared Work(150) ; Shared Work(150) ; Shared Work(0) ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; Shared ; ERR:IllegalStateException ; Shared ; Shared ; Shared ; Shared",
      // EX held
      "Exclusive ; Exclusive ; Exclusive ; Exclusive Fail(TRYAGAIN) ; Exclusive ; Exclusive Work(150) ; Exclusive Work(150) ; Exclusive Work(0) ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; Exclusive ; ERR:IllegalStateException ; Exclusive ; Exclusive ; Exclusive ; Exclusive",
      // SH on LRU
      "Shared -LRU Grant(SH) ; Pro(SH>DF,GLOPS) -LRU Glops(SH>DF) ; Pro(SH>EX,DLM) -LRU Cvt(EX) ; Pro(SH>EX,DLM) -LRU Cvt(EX) ; Shared -LRU Grant(SH) ; Shared Work(0) ; Shared Work(0) ; Shared Work(0) ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; Shared ; ERR:IllegalStateException ; Shared -LRU ; ERR:IllegalStateException ; ERR:IllegalStateException ; Shared -LRU Work(0)",
      // UN>SH flight
      "Pro(UN>SH,DLM) ; Pro(UN>SH,DLM) ; Pro(UN>SH,DLM) ; Pro(UN>SH,DLM) Fail(TRYAGAIN) ; Pro(UN>SH,DLM) ; Pro(UN>SH,DLM) Work(150) ; Pro(UN>SH,DLM) Work(150) ; Pro(UN>SH,DLM) Work(0) ; Pro(UN>SH,DLM) Work(0) ; Pro(UN>SH,DLM) Work(0) ; ERR:IllegalStateException ; Pro(UN>SH,DLM) ; ERR:IllegalStateException ; Pro(UN>SH,DLM) ; Pro(UN>SH,DLM) ; Pro(UN>SH,DLM) ; Pro(UN>SH,DLM)",
      // SH>UN glops
      "Dem(SH>UN,GLOPS) ; Dem(SH>UN,GLOPS) ; Dem(SH>UN,GLOPS) ; Dem(SH>UN,GLOPS) Fail(TRYAGAIN) ; Dem(SH>UN,GLOPS) ; Dem(SH>UN,GLOPS) Work(0) ; Dem(SH>UN,GLOPS) Work(0) ; Dem(SH>UN,GLOPS) Work(0) ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; Dem(SH>UN,GLOPS) ; Dem(SH>UN,DLM) Cvt(NL) ; Dem(SH>UN,GLOPS) ; Dem(SH>UN,GLOPS) ; Dem(SH>UN,GLOPS) Work(0) ; Dem(SH>UN,GLOPS)",
      // Freeing
      "ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; Freeing ; Freeing ; Freeing ; ERR:IllegalStateException ; ERR:IllegalStateException ; Freed Freed ; Freeing ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; ERR:IllegalStateException ; Freeing",
  };

  static String outcome(GlockHarness h, Function<GlockHarness, List<GlockEffect>> input) {
    List<GlockEffect> effects;
    try {
      h.now = 50;
      effects = input.apply(h);
    } catch (RuntimeException e) {
      return "ERR:" + e.getClass().getSimpleName();
    }
    List<String> parts = new ArrayList<>();
    for (GlockEffect e : effects) {
      parts.add(abbrev(e));
    }
    return phase(h.gl.phase()) + (parts.isEmpty() ? "" : " " + String.join(" ", parts));
  }

  static String phase(GlockPhase p) {
    if (p instanceof GlockPhase.InFlight) {
      GlockPhase.InFlight f = (GlockPhase.InFlight) p;
      return (p instanceof GlockPhase.Promoting ? "Pro" : "Dem") + "(" + f.from() + ">" + f.to() + ","
          + f.stage() + ")";
    }
    return p.getClass().getSimpleName();
  }

  static String abbrev(GlockEffect e) {
    if (e instanceof GlockEffect.RequestDlm) {
      return "Req(" + ((GlockEffect.RequestDlm) e).mode() + ")";
    }
    if (e instanceof GlockEffect.ConvertDlm) {
      return "Cvt(" + ((GlockEffect.ConvertDlm) e).mode() + ")";
    }
    if (e instanceof GlockEffect.UnlockDlm) {
      return "Unl";
    }
    if (e instanceof GlockEffect.GrantHolder) {
      return "Grant(" + ((GlockEffect.GrantHolder) e).state() + ")";
    }
    if (e instanceof GlockEffect.FailHolder) {
      return "Fail(" + ((GlockEffect.FailHolder) e).error() + ")";
    }
    if (e instanceof GlockEffect.RunGlops) {
      GlockEffect.RunGlops g = (GlockEffect.RunGlops) e;
      return "Glops(" + g.from() + ">" + g.target() + ")";
    }
    if (e instanceof GlockEffect.QueueWork) {
      return "Work(" + ((GlockEffect.QueueWork) e).delayMillis() + ")";
    }
    if (e instanceof GlockEffect.AddToLru) {
      return "+LRU";
    }
    if (e instanceof GlockEffect.RemoveFromLru) {
      return "-LRU";
    }
    if (e instanceof GlockEffect.QueueDeleteWork) {
      return "Del";
    }
    return "Freed";
  }

  static String[] actualTable() {
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, Consumer<GlockHarness>> row : rows().entrySet()) {
      List<String> cells = new ArrayList<>();
      for (Function<GlockHarness, List<GlockEffect>> col : columns().values()) {
        GlockHarness h = new GlockHarness(NAME);
        row.getValue().accept(h);
        cells.add(outcome(h, col));
      }
      lines.add(String.join(" ; ", cells));
    }
    return lines.toArray(new String[0]);
  }

  @Test
  void everyConfigurationTimesEveryInputMatchesTheTable() {
    String[] actual = actualTable();
    if (Boolean.getBoolean("glock.table.print")) {
      List<String> names = new ArrayList<>(rows().keySet());
      System.out.println("columns: " + String.join(" ; ", columns().keySet()));
      for (int i = 0; i < actual.length; i++) {
        System.out.println("      // " + names.get(i));
        System.out.println("      \"" + actual[i] + "\",");
      }
    }
    assertThat(EXPECTED).as("rows").hasSize(rows().size());
    List<String> names = new ArrayList<>(rows().keySet());
    List<String> cols = new ArrayList<>(columns().keySet());
    for (int r = 0; r < actual.length; r++) {
      String[] a = actual[r].split(" ; ");
      String[] e = EXPECTED[r].split(" ; ");
      assertThat(a).as("cells of row %s", names.get(r)).hasSize(cols.size());
      for (int c = 0; c < cols.size(); c++) {
        assertThat(a[c]).as("%s × %s", names.get(r), cols.get(c)).isEqualTo(e[c]);
      }
    }
  }

  @Test
  void tableCoversEveryInputKind() {
    assertThat(rows()).hasSize(11);
    assertThat(columns()).hasSize(17);
    assertThat(Set.copyOf(columns().keySet())).contains("nqSH", "bastEX", "work", "put", "reclaim", "glopsDone");
  }
}
