/**
 * Example: call every method of the Clarifai model runners-examples/main/dfine-small-obj2coco.
 *
 * Run, from the package compiled by tsc: CLARIFAI_PAT=... node examples/dfine_small_obj2coco.js
 */

import { DfineSmallObj2coco } from "../dfine_small_obj2coco.js";
import { Image, StreamingNotSupportedError, Video } from "../_runtime/index.js";

const image = Image.fromUrl("https://samples.clarifai.com/metro-north.jpg");
const video = Video.fromUrl("https://samples.clarifai.com/beer.mp4");

async function main(): Promise<void> {
  // Dedicated compute (optional): set CLARIFAI_DEPLOYMENT_ID, or
  // CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID, or pass
  // `{ runner: { deploymentId: "..." } }` as the second argument.
  const model = new DfineSmallObj2coco();
  const predictResult = await model.predict(image);
  console.log("predict:", predictResult);
  for await (const item of model.generate(video)) {
    console.log("generate:", item);
  }
  const streamImageImageStreamStream = [image, image];
  try {
    for await (const item of model.streamImage(streamImageImageStreamStream)) {
      console.log("stream_image:", item);
    }
  } catch (error) {
    // bidirectional streams need gRPC, which this runtime does not speak
    if (!(error instanceof StreamingNotSupportedError)) throw error;
    console.log("stream_image:", error.message);
  }
  const streamVideoVideoStreamStream = [video, video];
  try {
    for await (const item of model.streamVideo(streamVideoVideoStreamStream)) {
      console.log("stream_video:", item);
    }
  } catch (error) {
    // bidirectional streams need gRPC, which this runtime does not speak
    if (!(error instanceof StreamingNotSupportedError)) throw error;
    console.log("stream_video:", error.message);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
