/**
 * Example: call every method of the Clarifai model runners-examples/main/qwen3-0_6B.
 *
 * Run, from the package compiled by tsc: CLARIFAI_PAT=... node examples/qwen3_0_6b.js
 */

import { Qwen306B } from "../qwen3_0_6b.js";

const text = "What is the future of AI?";

async function main(): Promise<void> {
  // Dedicated compute (optional): set CLARIFAI_DEPLOYMENT_ID, or
  // CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID, or pass
  // `{ runner: { deploymentId: "..." } }` as the second argument.
  const model = new Qwen306B();
  const openaiTransportResult = await model.openaiTransport(text);
  console.log("openai_transport:", openaiTransportResult);
  for await (const item of model.openaiStreamTransport(text)) {
    console.log("openai_stream_transport:", item);
  }
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
