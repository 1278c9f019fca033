FROM localhost/alice/base:1
# one layer: deletes a file, replaces a directory, adds a file owned by container user 1000
RUN rm /etc/motd && rm -rf /usr/share/doc && mkdir /usr/share/doc && echo readme > /usr/share/doc/README \
 && mkdir -p /home/app/bin && echo 'echo tool' > /home/app/bin/tool && chown -R 1000:1000 /home/app/bin
CMD ["/bin/sh"]
