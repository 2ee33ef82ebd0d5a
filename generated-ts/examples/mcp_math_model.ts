/**
 * Example: call every method of the Clarifai model runners-examples/main/mcp-math-model.
 *
 * Run, from the package compiled by tsc: CLARIFAI_PAT=... node examples/mcp_math_model.js
 */

import { McpMathModel } from "../mcp_math_model.js";

const text = "What is the future of AI?";

async function main(): Promise<void> {
  // Dedicated compute (optional): set CLARIFAI_DEPLOYMENT_ID, or
  // CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID, or pass
  // `{ runner: { deploymentId: "..." } }` as the second argument.
  const model = new McpMathModel();
  const mcpTransportResult = await model.mcpTransport(text);
  console.log("mcp_transport:", mcpTransportResult);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
