/**
 * Example: call every method of the Clarifai model runners-examples/main/llama-32-1b-instruct.
 *
 * Run, from the package compiled by tsc: CLARIFAI_PAT=... node examples/llama_32_1b_instruct.js
 */

import { Llama321bInstruct } from "../llama_32_1b_instruct.js";

async function main(): Promise<void> {
  // Dedicated compute (optional): set CLARIFAI_DEPLOYMENT_ID, or
  // CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID, or pass
  // `{ runner: { deploymentId: "..." } }` as the second argument.
  const model = new Llama321bInstruct();
  const predictResult = await model.predict();
  console.log("predict:", predictResult);
  for await (const item of model.generate()) {
    console.log("generate:", item);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
