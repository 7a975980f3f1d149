/** The simulated kernel of one node: memory manager with budget, watermarks and allocation masks, shrinker registry, tasks and the node's wait-for graph. Knows nothing of the DLM or the filesystem. */
package org.jdlm.kernel;
