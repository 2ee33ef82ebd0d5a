/**
 * Example: call every method of the Clarifai model runners-examples/main/nanonets-ocr-s.
 *
 * Run, from the package compiled by tsc: CLARIFAI_PAT=... node examples/nanonets_ocr_s.js
 */

import { NanonetsOcrS } from "../nanonets_ocr_s.js";
import { Image } from "../_runtime/index.js";

const image = Image.fromUrl("https://samples.clarifai.com/metro-north.jpg");

async function main(): Promise<void> {
  // Dedicated compute (optional): set CLARIFAI_DEPLOYMENT_ID, or
  // CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID, or pass
  // `{ runner: { deploymentId: "..." } }` as the second argument.
  const model = new NanonetsOcrS();
  const predictResult = await model.predict(image);
  console.log("predict:", predictResult);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
