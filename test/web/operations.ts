// Operations the web UI's tests run directly against the API.
import { graphql } from "../../src/generated/gql/gql.ts";

export const WebPermissions = graphql(`
  query TestWebPermissions {
    viewer {
      canRegister
    }
    serverCounts {
      total
      healthy
      unhealthy
      checking
      unknown
      disabled
    }
    servers(first: 10) {
      edges {
        node {
          path
          viewerCan {
            modify
            toggle
            refresh
          }
        }
      }
    }
  }
`);

export const FilteredCounts = graphql(`
  query TestFilteredCounts($filter: ServerFilter) {
    serverCounts(filter: $filter) {
      total
      healthy
      disabled
    }
  }
`);
