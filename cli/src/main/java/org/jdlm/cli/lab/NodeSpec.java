package org.jdlm.cli.lab;

import org.jdlm.cli.node.HostPort;

/** One member of a lab cluster as the run directory records it: name and its two ports. */
public record NodeSpec(String name, HostPort cluster, int controlPort) {}
