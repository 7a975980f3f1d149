package org.jdlm.member;

import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.waits.FactsText;

/**
 * A member kernel's state, read-only (docs/dump-format.md): {@code GET /kernel/memory} and
 * {@code GET /kernel/tasks} answer {@code dumpMemory()} and {@code dumpTasks()}, {@code GET
 * /kernel/waits} the kernel's wait-for facts in {@link FactsText} version 1, which {@code dlm dump
 * --waits} merges across members. They change nothing and could be served by every member that
 * runs a kernel; for now only the lab installs them ({@code dlm node --lab}), beside its other
 * paths, until the detector runs inside production members.
 */
public final class KernelEndpoints {
  private KernelEndpoints() {}

  /** Registers {@code /kernel/memory}, {@code /kernel/tasks} and {@code /kernel/waits} for {@code kernel}. */
  public static void install(ControlEndpoint control, MemberKernel kernel) {
    Kernel k = kernel.kernel();
    control.register("/kernel/memory", request -> ControlEndpoint.Response.ok(k.dumpMemory()));
    control.register("/kernel/tasks", request -> ControlEndpoint.Response.ok(k.dumpTasks()));
    control.register("/kernel/waits", request -> ControlEndpoint.Response.ok(waits(k)));
  }

  /** This member's facts now (the kernel's and every layer's), ages against the member's own clock. */
  static String waits(Kernel k) {
    long now = k.clock().nanos();
    FactsText.Writer w = new FactsText.Writer(k.member(), now);
    k.feedWaits(now, w);
    return w.text();
  }
}
