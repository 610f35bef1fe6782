/**
 * Authentication, portable between servers: one Jakarta Security mechanism that takes HTTP Basic
 * from API clients and a login form from browsers, and lets the server's own user store (WildFly's
 * ApplicationRealm, Payara's file realm) check the password and give the roles.
 */
package io.tether.web.security;
