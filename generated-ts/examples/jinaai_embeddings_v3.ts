/**
 * Example: call every method of the Clarifai model runners-examples/main/jinaai-embeddings-v3.
 *
 * Run, from the package compiled by tsc: CLARIFAI_PAT=... node examples/jinaai_embeddings_v3.js
 */

import { JinaaiEmbeddingsV3 } from "../jinaai_embeddings_v3.js";

const text = "What is the future of AI?";

async function main(): Promise<void> {
  // Dedicated compute (optional): set CLARIFAI_DEPLOYMENT_ID, or
  // CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID, or pass
  // `{ runner: { deploymentId: "..." } }` as the second argument.
  const model = new JinaaiEmbeddingsV3();
  const openaiTransportResult = await model.openaiTransport(text);
  console.log("openai_transport:", openaiTransportResult);
  for await (const item of model.openaiStreamTransport(text)) {
    console.log("openai_stream_transport:", item);
  }
  const predictTexts = [text];
  const predictResult = await model.predict(predictTexts);
  console.log("predict:", predictResult);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
