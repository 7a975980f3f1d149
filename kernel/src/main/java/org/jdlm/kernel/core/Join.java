package org.jdlm.kernel.core;

/**
 * How a wait depends on its targets (fs-cycles §5.0). AND: the waiter needs every target to act
 * (a glock blocked by several holders). OR: any one target suffices (memory: any reclaimer that
 * frees enough), so a cycle through an OR node is a deadlock only when it forms a knot.
 */
public enum Join {
  AND,
  OR
}
