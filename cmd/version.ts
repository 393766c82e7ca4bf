/** The version printed by `lattice --version`; bundled into the binary from package.json. */
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
