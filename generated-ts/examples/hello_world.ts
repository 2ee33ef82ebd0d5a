/**
 * Example: call every method of the Clarifai model runners-examples/main/hello-world.
 *
 * Run, from the package compiled by tsc: CLARIFAI_PAT=... node examples/hello_world.js
 */

import { HelloWorld } from "../hello_world.js";
import { StreamingNotSupportedError } from "../_runtime/index.js";

const text = "What is the future of AI?";

async function main(): Promise<void> {
  // Dedicated compute (optional): set CLARIFAI_DEPLOYMENT_ID, or
  // CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID, or pass
  // `{ runner: { deploymentId: "..." } }` as the second argument.
  const model = new HelloWorld();
  const predictResult = await model.predict(text);
  console.log("predict:", predictResult);
  for await (const item of model.generate()) {
    console.log("generate:", item);
  }
  const sInputIteratorStream = [text, text];
  try {
    for await (const item of model.s(sInputIteratorStream)) {
      console.log("s:", item);
    }
  } catch (error) {
    // bidirectional streams need gRPC, which this runtime does not speak
    if (!(error instanceof StreamingNotSupportedError)) throw error;
    console.log("s:", error.message);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
