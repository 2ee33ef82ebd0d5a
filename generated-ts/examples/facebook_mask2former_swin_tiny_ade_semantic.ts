/**
 * Example: call every method of the Clarifai model runners-examples/main/facebook_mask2former-swin-tiny-ade-semantic.
 *
 * Run, from the package compiled by tsc: CLARIFAI_PAT=... node examples/facebook_mask2former_swin_tiny_ade_semantic.js
 */

import { FacebookMask2formerSwinTinyAdeSemantic } from "../facebook_mask2former_swin_tiny_ade_semantic.js";
import { Image, StreamingNotSupportedError, Video } from "../_runtime/index.js";

const image = Image.fromUrl("https://samples.clarifai.com/metro-north.jpg");
const video = Video.fromUrl("https://samples.clarifai.com/beer.mp4");

async function main(): Promise<void> {
  // Dedicated compute (optional): set CLARIFAI_DEPLOYMENT_ID, or
  // CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID, or pass
  // `{ runner: { deploymentId: "..." } }` as the second argument.
  const model = new FacebookMask2formerSwinTinyAdeSemantic();
  const modelPredictImages = [image];
  const modelPredictResult = await model.modelPredict(modelPredictImages);
  console.log("model_predict:", modelPredictResult);
  const predictResult = await model.predict(image);
  console.log("predict:", predictResult);
  const streamImagesStream = [image, image];
  try {
    for await (const item of model.stream(streamImagesStream)) {
      console.log("stream:", item);
    }
  } catch (error) {
    // bidirectional streams need gRPC, which this runtime does not speak
    if (!(error instanceof StreamingNotSupportedError)) throw error;
    console.log("stream:", error.message);
  }
  for await (const item of model.generate(video)) {
    console.log("generate:", item);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
