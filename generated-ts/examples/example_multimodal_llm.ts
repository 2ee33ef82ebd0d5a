/**
 * Example: call every method of the Clarifai model clarifai-docs/examples/example-multimodal-llm.
 *
 * Run, from the package compiled by tsc: CLARIFAI_PAT=... node examples/example_multimodal_llm.js
 */

import { ExampleMultimodalLlm } from "../example_multimodal_llm.js";

const text = "What is the future of AI?";
const json = { role: "user", content: text };

async function main(): Promise<void> {
  // Dedicated compute (optional): set CLARIFAI_DEPLOYMENT_ID, or
  // CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID, or pass
  // `{ runner: { deploymentId: "..." } }` as the second argument.
  const model = new ExampleMultimodalLlm();
  const predictResult = await model.predict();
  console.log("predict:", predictResult);
  for await (const item of model.generate()) {
    console.log("generate:", item);
  }
  const chatMessages = [json];
  for await (const item of model.chat(chatMessages)) {
    console.log("chat:", item);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
