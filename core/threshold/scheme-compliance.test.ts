import { describe } from "bun:test";
import { blsScheme } from "./bls.ts";
import { modelScheme } from "./model.ts";
import { runSchemeCompliance } from "./scheme-compliance.ts";

// One suite, two schemes: the model must behave like BLS inside a simulation.
describe("threshold scheme compliance: model (exhaustive, 3 of 5)", () => {
  runSchemeCompliance(modelScheme, { n: 5, t: 3, seed: "compliance/model", exhaustive: true });
});

describe("threshold scheme compliance: model (exhaustive, 4 of 7)", () => {
  runSchemeCompliance(modelScheme, { n: 7, t: 5, seed: "compliance/model-7", exhaustive: true });
});

describe("threshold scheme compliance: bls12-381 (3 of 5, chosen subsets)", () => {
  runSchemeCompliance(blsScheme, { n: 5, t: 3, seed: "compliance/bls", exhaustive: false });
});
