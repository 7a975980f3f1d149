/** The one executable: member node assembly, the lab supervisor, scenario runner, dump and bench. */
package org.jdlm.cli;
