import { leftRightCompliance } from "./left-right-compliance.ts";
import { LocalLeftRight } from "./local-left-right.ts";

leftRightCompliance(
  "LocalLeftRight",
  (n, apply) => new LocalLeftRight({ create: () => ({ cells: new Int32Array(n) }), apply }),
);
