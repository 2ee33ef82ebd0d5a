/**
 * Example: call every method of the Clarifai model clarifai-codegen/fixtures/all-types.
 *
 * Run, from the package compiled by tsc: CLARIFAI_PAT=... node examples/all_types.js
 */

import { AllTypes } from "../all_types.js";
import {
  Audio,
  Concept,
  Frame,
  Image,
  NDArray,
  Region,
  StreamingNotSupportedError,
  Text,
  Video,
} from "../_runtime/index.js";

const text = "What is the future of AI?";
const image = Image.fromUrl("https://samples.clarifai.com/metro-north.jpg");
const audio = Audio.fromUrl(
  "https://samples.clarifai.com/english_audio_sample.mp3",
);
const video = Video.fromUrl("https://samples.clarifai.com/beer.mp4");
const concept = new Concept("cat", 0.5);
const region = new Region({ box: [0.1, 0.2, 0.5, 0.6], concepts: [concept] });
const frame = new Frame({ image, index: 1, time: 0.5 });
const array = NDArray.from(new Float32Array([0, 1, 2, 3, 4, 5]), [2, 3]);
const bytes = new TextEncoder().encode("hello");
const textObject = new Text(text);

async function main(): Promise<void> {
  // Dedicated compute (optional): set CLARIFAI_DEPLOYMENT_ID, or
  // CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID, or pass
  // `{ runner: { deploymentId: "..." } }` as the second argument.
  const model = new AllTypes();
  const scalarsResult = await model.scalars(text, bytes, 1, 0.5, true);
  console.log("scalars:", scalarsResult);
  const mediaResult = await model.media(
    textObject,
    image,
    audio,
    video,
    concept,
    region,
    frame,
    array,
  );
  console.log("media:", mediaResult);
  const containersNames = [text];
  const containersGridItem = [1];
  const containersGrid = [containersGridItem];
  const containersPair = [1, text] as const;
  const containersConcepts = [concept];
  const containersRegions = [region];
  const containersResult = await model.containers(
    containersNames,
    containersGrid,
    containersPair,
    containersConcepts,
    containersRegions,
  );
  console.log("containers:", containersResult);
  const tunedResult = await model.tuned(text);
  console.log("tuned:", tunedResult);
  for await (const item of model.frames(video)) {
    console.log("frames:", item);
  }
  const echoStreamChunksStream = [textObject, textObject];
  try {
    for await (const item of model.echoStream(echoStreamChunksStream)) {
      console.log("echo_stream:", item);
    }
  } catch (error) {
    // bidirectional streams need gRPC, which this runtime does not speak
    if (!(error instanceof StreamingNotSupportedError)) throw error;
    console.log("echo_stream:", error.message);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
