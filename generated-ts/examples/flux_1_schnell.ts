/**
 * Example: call every method of the Clarifai model runners-examples/main/flux_1-schnell.
 *
 * Run, from the package compiled by tsc: CLARIFAI_PAT=... node examples/flux_1_schnell.js
 */

import { Flux1Schnell } from "../flux_1_schnell.js";

const text = "What is the future of AI?";

async function main(): Promise<void> {
  // Dedicated compute (optional): set CLARIFAI_DEPLOYMENT_ID, or
  // CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID, or pass
  // `{ runner: { deploymentId: "..." } }` as the second argument.
  const model = new Flux1Schnell();
  const predictResult = await model.predict(text);
  console.log("predict:", predictResult);
  const createPrompt = [text];
  const createResult = await model.create(createPrompt);
  console.log("create:", createResult);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
