// The GraphQL operations the tests run, typed by codegen (npm run codegen).
import { graphql } from "../../src/generated/gql/index.ts";

export const ServerFields = graphql(`
  fragment ServerFields on Server {
    id
    path
    name
    description
    proxyPassUrl
    tags
    numTools
    numStars
    isPython
    license
    metadata
    enabled
    transport
    health
    healthStatus
    healthReason
    lastCheckedAt
    version
    status
    isLatest
    createdAt
    updatedAt
  }
`);

export const RegisterServer = graphql(`
  mutation RegisterServer($input: RegisterServerInput!) {
    registerServer(input: $input) {
      __typename
      ... on RegisterServerSuccess {
        server {
          ...ServerFields
        }
      }
      ... on ValidationError {
        message
        fieldErrors {
          field
          message
        }
      }
      ... on ConflictError {
        message
        field
      }
    }
  }
`);

export const UpdateServer = graphql(`
  mutation UpdateServer($path: String!, $input: UpdateServerInput!) {
    updateServer(path: $path, input: $input) {
      __typename
      ... on UpdateServerSuccess {
        server {
          ...ServerFields
          tools {
            name
          }
        }
      }
      ... on ValidationError {
        fieldErrors {
          field
          message
        }
      }
      ... on NotFoundError {
        path
        message
      }
      ... on ConflictError {
        field
        message
      }
    }
  }
`);

export const ToggleServer = graphql(`
  mutation ToggleServer($path: String!, $enabled: Boolean!) {
    toggleServer(path: $path, enabled: $enabled) {
      __typename
      ... on ToggleServerSuccess {
        server {
          path
          enabled
          health
          healthStatus
        }
      }
      ... on NotFoundError {
        path
      }
    }
  }
`);

export const DeleteServer = graphql(`
  mutation DeleteServer($path: String!) {
    deleteServer(path: $path) {
      __typename
      ... on DeleteServerSuccess {
        server {
          id
          path
        }
      }
      ... on NotFoundError {
        path
      }
    }
  }
`);

export const GetServer = graphql(`
  query GetServer($path: String!) {
    server(path: $path) {
      ...ServerFields
      tools {
        name
        description
        inputSchema
      }
    }
  }
`);

export const ListServers = graphql(`
  query ListServers($first: Int, $after: String, $last: Int, $before: String, $filter: ServerFilter) {
    servers(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          path
          name
          tags
          enabled
          health
        }
      }
    }
  }
`);

export const ListTools = graphql(`
  query ListTools($serverPath: String, $search: String, $first: Int, $after: String) {
    tools(serverPath: $serverPath, search: $search, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          description
          server {
            path
          }
        }
      }
    }
  }
`);

export const GetNode = graphql(`
  query GetNode($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Server {
        path
      }
      ... on Tool {
        name
      }
    }
  }
`);
