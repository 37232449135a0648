// Operations the health tests run, typed by codegen.
import { graphql } from "../../src/generated/gql/index.ts";

export const Refresh = graphql(`
  mutation Refresh($path: String!) {
    refreshServer(path: $path) {
      __typename
      ... on RefreshServerSuccess {
        server {
          path
          health
          healthStatus
          healthReason
          numTools
          lastCheckedAt
          lastLatencyMs
          serverInfo
          toolsChangedAt
          upstreamAuth {
            type
            headerName
          }
          tools {
            name
            title
            description
            inputSchema
            outputSchema
            annotations
          }
          healthHistory(first: 5) {
            status
            reason
            latencyMs
          }
          toolChanges(first: 10) {
            kind
            toolName
          }
        }
      }
      ... on NotFoundError {
        path
      }
      ... on ForbiddenError {
        permission
      }
    }
  }
`);

export const Health = graphql(`
  query Health($path: String!) {
    server(path: $path) {
      health
      healthStatus
      healthReason
      numTools
      lastCheckedAt
    }
  }
`);
