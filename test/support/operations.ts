// The GraphQL operations the tests run, typed by codegen (npm run codegen), with
// fragments for the selections several of them share. Fragment names start with
// "Test" so they never collide with the application's own (codegen sees both).
import { graphql } from "../../src/generated/gql/index.ts";

export const TestFieldErrors = graphql(`
  fragment TestFieldErrors on ValidationError {
    fieldErrors {
      field
      message
    }
  }
`);

export const TestServerHealth = graphql(`
  fragment TestServerHealth on Server {
    health
    healthStatus
    healthReason
    numTools
    lastCheckedAt
  }
`);

export const ServerFields = graphql(`
  fragment ServerFields on Server {
    id
    path
    name
    description
    proxyPassUrl
    tags
    ...TestServerHealth
    numStars
    isPython
    license
    metadata
    enabled
    transport
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
        ...TestFieldErrors
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
      ...TestFieldErrors
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

// Identity, policy and tokens.

export const Viewer = graphql(`
  query Viewer {
    viewer {
      subject
      username
      groups
      authMethod
      provider
      isAdmin
      scopes
      permissions {
        servers
        permissions
        tools
      }
    }
  }
`);

export const VisiblePaths = graphql(`
  query VisiblePaths($path: String!, $tool: String) {
    servers(first: 100) {
      totalCount
      edges {
        node {
          id
          path
        }
      }
    }
    server(path: $path) {
      path
    }
    tools(serverPath: $tool, first: 100) {
      totalCount
      edges {
        node {
          name
          callable
          server {
            path
          }
        }
      }
    }
  }
`);

export const Policy = graphql(`
  query Policy {
    accessPolicy {
      document
      adminGroup
      updatedBy
    }
  }
`);

export const UpdatePolicy = graphql(`
  mutation UpdatePolicy($document: JSON!) {
    updateAccessPolicy(document: $document) {
      __typename
      ...TestFieldErrors
      ... on ForbiddenError {
        message
      }
    }
  }
`);

export const GenerateToken = graphql(`
  mutation GenerateToken($input: GenerateTokenInput) {
    generateToken(input: $input) {
      __typename
      ... on GenerateTokenSuccess {
        generated {
          accessToken
          expiresIn
          token {
            jti
            parentJti
            scopes
            expiresAt
          }
        }
      }
      ...TestFieldErrors
      ... on ForbiddenError {
        message
      }
    }
  }
`);

export const RevokeToken = graphql(`
  mutation RevokeToken($jti: String!) {
    revokeToken(jti: $jti) {
      __typename
    }
  }
`);

// Health checks.

export const Refresh = graphql(`
  mutation Refresh($path: String!) {
    refreshServer(path: $path) {
      __typename
      ... on RefreshServerSuccess {
        server {
          path
          ...TestServerHealth
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
      ...TestServerHealth
    }
  }
`);

// What the web UI shows, asked of the API directly.

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

// Subscriptions (over the socket: test/support/ws-client.ts).

export const HealthUpdates = graphql(`
  subscription HealthUpdates($paths: [String!]) {
    healthStatus(paths: $paths) {
      path
      health
      healthStatus
      reason
      lastCheckedAt
      numTools
      latencyMs
    }
  }
`);

export const HealthStatusUpdates = graphql(`
  subscription HealthStatusUpdates {
    healthStatus {
      path
      healthStatus
    }
  }
`);

export const HealthPaths = graphql(`
  subscription HealthPaths {
    healthStatus {
      path
    }
  }
`);

export const ServerEventsAll = graphql(`
  subscription ServerEventsAll {
    serverEvents {
      __typename
      path
      serverId
      ... on HealthUpdate {
        healthStatus
      }
      ... on ToolsUpdate {
        added
        removed
        changed
        at
      }
      ... on LifecycleUpdate {
        change
      }
    }
  }
`);

export const LifecycleEvents = graphql(`
  subscription LifecycleEvents {
    serverEvents {
      __typename
      path
      ... on LifecycleUpdate {
        change
      }
    }
  }
`);
