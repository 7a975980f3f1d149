package org.jdlm.fs.core;

import java.util.Set;

/**
 * One glock in GFS2's debugfs {@code glocks} format (fs-cycles §6.3; {@code gfs2_dump_glock},
 * {@code dump_holder}): a {@code G:} line, one {@code H:} line per holder in queue order, then the
 * type's object lines ({@code I:}, {@code R:}).
 * <pre>
 * G:  s:SH n:2/1c00 f:aqo t:SH d:EX/0 a:0 v:0 r:3 m:20 p:0
 *  H: s:SH f:H e:0 p:4242 [dd] gfs2_inode_lookup
 * </pre>
 * {@code d:} prints EX when no demote is requested (GFS2's sentinel) and the microseconds since the
 * request only while the demote is due ({@code D}). {@code m:} is the hold time in jiffies at
 * {@code jdlm.fs.glock.dump-hz}. AIL count ({@code a:}), revokes ({@code v:}) and metadata pages
 * ({@code p:}) are 0 until the journal and page cache exist.
 */
public final class GlockDump {

  private GlockDump() {}

  /** The glock's lines, each ending in a newline. */
  public static String format(GlockCore gl, long now) {
    StringBuilder sb = new StringBuilder();
    GlockState demote = gl.demoteState();
    Set<GlockFlag> flags = gl.flags();
    long dtimeMicros = flags.contains(GlockFlag.DEMOTE) ? Math.max(0, now - gl.demoteRequestedAt()) * 1000 : 0;
    long holdJiffies = gl.holdTimeMillis() * gl.settings().dumpHz() / 1000;
    sb.append(String.format("G:  s:%s n:%s f:%s t:%s d:%s/%d a:%d v:%d r:%d m:%d p:%d%n", gl.state().dumpName(),
        gl.name(), flagLetters(flags), gl.target().dumpName(), demote == null ? "EX" : demote.dumpName(),
        dtimeMicros, 0, 0, gl.totalRefs(), holdJiffies, 0));
    for (Holder h : gl.holders()) {
      sb.append(holderLine(h)).append(System.lineSeparator());
    }
    for (String line : gl.ops().dump(gl.object())) {
      sb.append(line).append(System.lineSeparator());
    }
    return sb.toString();
  }

  /** As printed to the kernel log ({@code GLOCK_BUG_ON}, withdraw): every line prefixed with {@code fsid=<name>: }. */
  public static String formatForLog(String fsid, GlockCore gl, long now) {
    StringBuilder sb = new StringBuilder();
    for (String line : format(gl, now).split("\\R")) {
      sb.append("fsid=").append(fsid).append(": ").append(line).append(System.lineSeparator());
    }
    return sb.toString();
  }

  /** The {@code H:} line of one holder. */
  public static String holderLine(Holder h) {
    String comm = !h.pidMeaningful() ? "(none)" : h.comm() == null ? "(ended)" : h.comm();
    return String.format(" H: s:%s f:%s e:%d p:%d [%s] %s", h.state().dumpName(),
        HolderFlag.dumpLetters(h.flags(), h.granted()), 0, h.pid(), comm, h.caller());
  }

  /** The {@code f:} field of a {@code G:} line: the letters of {@code flags} in {@link GlockFlag} order. */
  public static String flagLetters(Set<GlockFlag> flags) {
    StringBuilder sb = new StringBuilder();
    for (GlockFlag f : GlockFlag.values()) {
      if (flags.contains(f)) {
        sb.append(f.letter());
      }
    }
    return sb.toString();
  }
}
