// Operations the identity tests run, typed by codegen.
import { graphql } from "../../src/generated/gql/index.ts";

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
      ... on ValidationError {
        fieldErrors {
          field
          message
        }
      }
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
      ... on ValidationError {
        fieldErrors {
          field
          message
        }
      }
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
