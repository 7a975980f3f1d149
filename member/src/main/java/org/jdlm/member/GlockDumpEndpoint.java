package org.jdlm.member;

import java.util.Optional;

/**
 * A member's glocks, read-only: {@code GET /fs/glocks[?fs=NAME]} answers every mounted filesystem's
 * glocks (or NAME's) in GFS2's debugfs format, each filesystem under a {@code # glocks FS member N}
 * line ({@link MemberFilesystems#dumpGlocks}); {@code dlm dump --glocks} collects it from every
 * member. Served by every member, lab or not, as {@code /dump} is: it changes nothing. A member that
 * mounts nothing answers an empty body; an unknown {@code fs} is 400 naming what is mounted.
 */
public final class GlockDumpEndpoint {
  private GlockDumpEndpoint() {}

  public static void install(ControlEndpoint control, Optional<MemberFilesystems> filesystems) {
    control.register("/fs/glocks", request -> {
      String only = request.query().get("fs");
      if (filesystems.isEmpty()) {
        return only == null || only.isEmpty() ? ControlEndpoint.Response.ok("")
            : ControlEndpoint.Response.error(400, "/fs/glocks: filesystem '" + only
                + "' is not mounted here (this member runs no kernel, so it mounts nothing)");
      }
      try {
        return ControlEndpoint.Response.ok(filesystems.get().dumpGlocks(
            only == null || only.isEmpty() ? Optional.empty() : Optional.of(only)));
      } catch (IllegalArgumentException e) {
        return ControlEndpoint.Response.error(400, "/fs/glocks: " + e.getMessage());
      }
    });
  }
}
